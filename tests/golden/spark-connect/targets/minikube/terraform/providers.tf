# Rendered by stackctl from stack "spark-connect", target "minikube".
# Do not edit: change the stack file and run `stackctl render` again.

# The minikube cluster, through the kubeconfig `minikube start` wrote.
provider "kubernetes" {
  config_path    = var.kubeconfig_path
  config_context = var.kube_context
}
