variable "mount_path" {
  description = "Path of the KV v2 secrets engine, e.g. \"secret\"."
  type        = string
  default     = "secret"
}

variable "create_mount" {
  description = "Create the KV v2 mount (true) or use one that already exists (false, the default: most Vault servers have \"secret\")."
  type        = bool
  default     = false
}

variable "secret_path" {
  description = "Path of the secret under the mount, e.g. \"spark/kyuubi-sql\"."
  type        = string
}

variable "values" {
  description = "The secret's fields: key => value. Supply values at apply time (TF_VAR_... or an untracked *.auto.tfvars), never in version control."
  type        = map(string)
  sensitive   = true
}
