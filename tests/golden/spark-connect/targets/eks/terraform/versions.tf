# Rendered by stackctl from stack "spark-connect", target "eks".
# Do not edit: change the stack file and run `stackctl render` again.

terraform {
  required_version = ">= 1.5.7"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.28"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "~> 2.38"
    }
  }
}
