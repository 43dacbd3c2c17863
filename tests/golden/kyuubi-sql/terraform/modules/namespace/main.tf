# The namespace a stack runs in and, optionally, the Secret that carries spark.env into its pods
# (each key an environment variable, loaded with envFrom). The caller configures the kubernetes
# provider: this module has no provider block, so it works against minikube and EKS alike.

resource "kubernetes_namespace_v1" "this" {
  metadata {
    name   = var.name
    labels = var.labels
  }
}

resource "kubernetes_secret_v1" "spark_env" {
  count = var.create_spark_env_secret ? 1 : 0

  metadata {
    name      = var.spark_env_secret_name
    namespace = kubernetes_namespace_v1.this.metadata[0].name
    labels    = var.labels
  }

  type = "Opaque"
  data = var.spark_env
}
