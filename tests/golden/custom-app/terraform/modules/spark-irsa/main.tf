# The IAM role Spark's pods assume through IRSA: trusted by the cluster's OIDC provider for one
# ServiceAccount, allowed to read and write the stack's S3 buckets (event logs, data). The role
# ARN goes on the ServiceAccount as the annotation eks.amazonaws.com/role-arn.

data "aws_partition" "current" {}

locals {
  bucket_arns = [for b in var.s3_bucket_names : "arn:${data.aws_partition.current.partition}:s3:::${b}"]
  object_arns = [for arn in local.bucket_arns : "${arn}/*"]

  # No bucket, no policy: an IAM statement with no resource is refused by AWS.
  s3_permissions = length(var.s3_bucket_names) == 0 ? null : {
    s3_buckets = {
      sid       = "SparkS3Buckets"
      actions   = ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"]
      resources = local.bucket_arns
    }
    s3_objects = {
      sid = "SparkS3Objects"
      actions = [
        "s3:AbortMultipartUpload",
        "s3:DeleteObject",
        "s3:GetObject",
        "s3:ListMultipartUploadParts",
        "s3:PutObject",
      ]
      resources = local.object_arns
    }
  }
}

module "irsa" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts"
  version = "~> 6.0"

  name = var.name

  oidc_providers = {
    main = {
      provider_arn               = var.oidc_provider_arn
      namespace_service_accounts = ["${var.namespace}:${var.service_account}"]
    }
  }

  permissions = local.s3_permissions

  tags = var.tags
}
