# The spark.env values a stack keeps in Vault: one KV v2 secret whose fields are the values'
# keys. Terraform is the writer: an SRE changes a value in the variables and re-applies.
#
# data_json lives in the Terraform state (encrypt and restrict the state backend); it gives drift
# detection: a value changed behind Terraform's back shows up in the next plan.

resource "vault_mount" "kv" {
  count = var.create_mount ? 1 : 0

  path        = var.mount_path
  type        = "kv"
  options     = { version = "2" }
  description = "KV v2 secrets engine for spark.env values (managed by Terraform)"
}

resource "vault_kv_secret_v2" "spark_env" {
  mount     = var.create_mount ? vault_mount.kv[0].path : var.mount_path
  name      = var.secret_path
  data_json = jsonencode(var.values)
}
