terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      owner         = var.context.owner
      environment   = var.context.environment
      team          = var.context.team
      tier          = var.context.tier
      "cost-center" = var.context.team
      "managed-by"  = "infraplane"
    }
  }
}
