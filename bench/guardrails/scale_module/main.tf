# The bench's scale plans: N plain SQS queues, every one tagged, so the baseline finds nothing and each
# resource costs what judging one resource costs (`python -m bench.guardrails --scale-plans 1000,5000`).
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}

variable "n" {
  type    = number
  default = 1000
}

provider "aws" {
  region = "us-east-1"
}

resource "aws_sqs_queue" "q" {
  count = var.n
  name  = "queue-${count.index}"
  tags  = { owner = "a", environment = "dev", "cost-center" = "x" }
}
