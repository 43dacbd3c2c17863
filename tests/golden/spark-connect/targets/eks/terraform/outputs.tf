# Rendered by stackctl from stack "spark-connect", target "eks".
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
