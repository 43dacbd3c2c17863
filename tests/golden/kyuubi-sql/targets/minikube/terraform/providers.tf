# Rendered by stackctl from stack "kyuubi-sql", target "minikube".
# Do not edit: change the stack file and run `stackctl render` again.

# The minikube cluster, through the kubeconfig `minikube start` wrote.
provider "kubernetes" {
  config_path    = var.kubeconfig_path
  config_context = var.kube_context
}

# Address, token, CA and namespace come from the environment, as for the vault CLI: VAULT_ADDR,
# VAULT_TOKEN, VAULT_CACERT, VAULT_NAMESPACE.
provider "vault" {}
