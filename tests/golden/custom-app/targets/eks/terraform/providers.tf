# Rendered by stackctl from stack "custom-app", target "eks".
# Do not edit: change the stack file and run `stackctl render` again.

# Credentials come from the environment (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...), as for the aws CLI.
provider "aws" {
  region = var.region
}

# The cluster the eks module creates. The aws CLI mints a token for every run, so no kubeconfig
# is needed and nothing long-lived is stored.
provider "kubernetes" {
  host                   = module.eks.cluster_endpoint
  cluster_ca_certificate = base64decode(module.eks.cluster_certificate_authority_data)

  exec {
    api_version = "client.authentication.k8s.io/v1"
    command     = "aws"
    args        = ["eks", "get-token", "--cluster-name", module.eks.cluster_name, "--region", var.region]
  }
}
