# Rendered by stackctl from stack "spark-connect", target "eks".
# Do not edit: change the stack file and run `stackctl render` again.

locals {
  # The labels of the Namespace manifest stackctl renders, so `stackctl deploy` and Terraform
  # agree on them.
  labels = {
    "app.kubernetes.io/name"       = "namespace"
    "app.kubernetes.io/instance"   = "spark-connect"
    "app.kubernetes.io/component"  = "namespace"
    "app.kubernetes.io/part-of"    = "spark-connect"
    "app.kubernetes.io/managed-by" = "stackctl"
  }

  tags = {
    "stackctl.dev/stack"  = "spark-connect"
    "stackctl.dev/target" = "eks"
  }
}

module "eks" {
  source = "../../../terraform/modules/eks"

  cluster_name       = var.cluster_name
  kubernetes_version = var.kubernetes_version
  vpc_id             = var.vpc_id
  subnet_ids         = var.subnet_ids
  node_instance_type = var.node_instance_type
  node_count         = var.node_count
  tags               = local.tags
}

module "spark_irsa" {
  source = "../../../terraform/modules/spark-irsa"

  name              = "${var.cluster_name}-spark"
  oidc_provider_arn = module.eks.oidc_provider_arn
  namespace         = var.namespace
  service_account   = var.spark_service_account
  s3_bucket_names   = var.s3_bucket_names
  tags              = local.tags
}

module "namespace" {
  source = "../../../terraform/modules/namespace"

  name   = var.namespace
  labels = local.labels
}
