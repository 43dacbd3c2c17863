# Rendered by stackctl from stack "kyuubi-sql", target "eks".
# Do not edit: change the stack file and run `stackctl render` again.

output "namespace" {
  description = "Kubernetes namespace of the stack."
  value       = module.namespace.name
}

output "cluster_name" {
  description = "Name of the EKS cluster (for `aws eks update-kubeconfig --name`)."
  value       = module.eks.cluster_name
}

output "cluster_endpoint" {
  description = "HTTPS endpoint of the cluster's Kubernetes API."
  value       = module.eks.cluster_endpoint
}

output "spark_role_arn" {
  description = "IAM role of Spark's ServiceAccount: the value of its eks.amazonaws.com/role-arn annotation."
  value       = module.spark_irsa.arn
}

output "spark_env_secret_name" {
  description = "Kubernetes Secret Terraform writes the spark.env values to (null unless manage_spark_env_secret)."
  value       = module.namespace.spark_env_secret_name
}

output "vault_secrets" {
  description = "Vault secrets holding spark.env values, by source: \"<mount>/<path>\"."
  value       = { for source, secret in module.vault_spark_env : source => secret.ref }
}
