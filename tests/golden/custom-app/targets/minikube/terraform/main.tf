# Rendered by stackctl from stack "custom-app", target "minikube".
# Do not edit: change the stack file and run `stackctl render` again.

locals {
  # The labels of the Namespace manifest stackctl renders, so `stackctl deploy` and Terraform
  # agree on them.
  labels = {
    "app.kubernetes.io/name"       = "namespace"
    "app.kubernetes.io/instance"   = "custom-app"
    "app.kubernetes.io/component"  = "namespace"
    "app.kubernetes.io/part-of"    = "custom-app"
    "app.kubernetes.io/managed-by" = "stackctl"
  }
}

module "namespace" {
  source = "../../../terraform/modules/namespace"

  name   = var.namespace
  labels = local.labels
}
