locals {
  # Queue names: letters, digits, hyphens and underscores, at most 80 characters including ".fifo".
  name   = trim(substr(lower(replace("${var.context.environment}-${var.context.component}", "/[^a-zA-Z0-9_-]/", "-")), 0, 70), "-")
  suffix = var.fifo ? ".fifo" : ""
}

resource "aws_sqs_queue" "dlq" {
  name                      = "${local.name}-dlq${local.suffix}"
  fifo_queue                = var.fifo
  message_retention_seconds = 14 * 86400 # keep failed messages as long as SQS allows
  sqs_managed_sse_enabled   = true

  tags = { Name = "${local.name}-dlq${local.suffix}" }
}

resource "aws_sqs_queue" "this" {
  name                       = "${local.name}${local.suffix}"
  fifo_queue                 = var.fifo
  message_retention_seconds  = var.retention_days * 86400
  visibility_timeout_seconds = var.visibility_timeout_seconds
  sqs_managed_sse_enabled    = true

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = 5
  })

  tags = { Name = "${local.name}${local.suffix}" }
}
