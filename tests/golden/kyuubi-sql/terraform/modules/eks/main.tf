# An EKS cluster with one managed node group, through the community module (v21 names the cluster
# `name` and its version `kubernetes_version`; v20 called them cluster_name/cluster_version).
# IRSA stays on (the module's default) so spark-irsa can trust the cluster's OIDC provider.

module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"

  name               = var.cluster_name
  kubernetes_version = var.kubernetes_version

  endpoint_public_access                   = var.endpoint_public_access
  enable_cluster_creator_admin_permissions = true

  vpc_id     = var.vpc_id
  subnet_ids = var.subnet_ids

  addons = {
    coredns = {}
    eks-pod-identity-agent = {
      before_compute = true
    }
    kube-proxy = {}
    vpc-cni = {
      before_compute = true
    }
  }

  eks_managed_node_groups = {
    default = {
      ami_type       = "AL2023_x86_64_STANDARD"
      instance_types = [var.node_instance_type]

      min_size     = var.node_min_size
      max_size     = coalesce(var.node_max_size, var.node_count)
      desired_size = var.node_count
    }
  }

  tags = var.tags
}
