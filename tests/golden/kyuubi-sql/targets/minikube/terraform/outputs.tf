# Rendered by stackctl from stack "kyuubi-sql", target "minikube".
# Do not edit: change the stack file and run `stackctl render` again.

output "namespace" {
  description = "Kubernetes namespace of the stack."
  value       = module.namespace.name
}

output "spark_env_secret_name" {
  description = "Kubernetes Secret Terraform writes the spark.env values to (null unless manage_spark_env_secret)."
  value       = module.namespace.spark_env_secret_name
}

output "vault_secrets" {
  description = "Vault secrets holding spark.env values, by source: \"<mount>/<path>\"."
  value       = { for source, secret in module.vault_spark_env : source => secret.ref }
}
