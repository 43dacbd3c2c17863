output "name" {
  description = "Name of the namespace (known once it exists, so dependants wait for it)."
  value       = kubernetes_namespace_v1.this.metadata[0].name
}

output "spark_env_secret_name" {
  description = "Name of the spark.env Secret, or null when the module does not manage it."
  value       = var.create_spark_env_secret ? kubernetes_secret_v1.spark_env[0].metadata[0].name : null
}
