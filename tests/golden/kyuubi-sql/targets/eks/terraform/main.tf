# Rendered by stackctl from stack "kyuubi-sql", target "eks".
# Do not edit: change the stack file and run `stackctl render` again.

locals {
  # The labels of the Namespace manifest stackctl renders, so `stackctl deploy` and Terraform
  # agree on them.
  labels = {
    "app.kubernetes.io/name"       = "namespace"
    "app.kubernetes.io/instance"   = "kyuubi-sql"
    "app.kubernetes.io/component"  = "namespace"
    "app.kubernetes.io/part-of"    = "kyuubi-sql"
    "app.kubernetes.io/managed-by" = "stackctl"
  }

  tags = {
    "stackctl.dev/stack"  = "kyuubi-sql"
    "stackctl.dev/target" = "eks"
  }

  # Where each spark.env key lives in Vault: source => mount, path and fields (spark.env name =>
  # field of the secret). Names only: the values are var.spark_env.
  vault_sources = {
    "vault" = {
      mount = "secret"
      path  = "spark/kyuubi-sql"
      fields = {
        "SPARK_EXECUTOR_INSTANCES" = "executor_instances"
      }
    }
  }

  # Keys of var.spark_env are names, not secrets; values stay sensitive.
  spark_env_names = nonsensitive(keys(var.spark_env))
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

  create_spark_env_secret = var.manage_spark_env_secret
  spark_env_secret_name   = var.spark_env_secret_name
  spark_env               = var.spark_env
}

module "vault_spark_env" {
  source   = "../../../terraform/modules/vault-spark-env"
  for_each = local.vault_sources

  create_mount = contains(var.create_vault_mounts, each.value.mount)
  mount_path   = each.value.mount
  secret_path  = each.value.path
  values = {
    for name, field in each.value.fields : field => var.spark_env[name]
    if contains(local.spark_env_names, name)
  }
}
