output "mount" {
  description = "Path of the KV v2 mount holding the secret."
  value       = vault_kv_secret_v2.spark_env.mount
}

output "secret_path" {
  description = "Path of the secret under the mount."
  value       = vault_kv_secret_v2.spark_env.name
}

output "ref" {
  description = "\"<mount>/<path>\": what `vault kv get -mount=<mount> <path>` reads."
  value       = "${vault_kv_secret_v2.spark_env.mount}/${vault_kv_secret_v2.spark_env.name}"
}

output "keys" {
  description = "Names of the fields written (the values stay sensitive)."
  value       = sort(nonsensitive(keys(var.values)))
}
