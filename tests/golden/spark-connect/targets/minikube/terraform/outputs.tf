# Rendered by stackctl from stack "spark-connect", target "minikube".
# Do not edit: change the stack file and run `stackctl render` again.

output "namespace" {
  description = "Kubernetes namespace of the stack."
  value       = module.namespace.name
}
