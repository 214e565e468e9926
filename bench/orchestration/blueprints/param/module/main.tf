terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
}

provider "aws" {
  region = "us-east-1"
}

variable "value" {
  type = string
}

variable "context" {
  type = object({ environment = string, team = string, tier = string, owner = string, component = string })
}

resource "aws_ssm_parameter" "this" {
  name           = "/bench/${var.context.environment}/${var.context.component}"
  type           = "String"
  insecure_value = var.value
  tags = {
    owner         = var.context.owner
    environment   = var.context.environment
    "cost-center" = var.context.team
  }
}

output "value" {
  value = "${aws_ssm_parameter.this.insecure_value}/${var.context.component}"
}
