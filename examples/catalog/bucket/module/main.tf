locals {
  # Bucket names: 3-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit.
  base = lower(replace("${var.context.environment}-${var.context.component}", "/[^a-zA-Z0-9-]/", "-"))
  name = trim(substr(var.name_suffix == "" ? local.base : "${local.base}-${var.name_suffix}", 0, 63), "-")

  use_kms = var.kms_key_arn != ""
}

resource "aws_s3_bucket" "this" {
  bucket        = local.name
  force_destroy = var.context.tier != "prod"

  tags = { Name = local.name }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket = aws_s3_bucket.this.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = local.use_kms ? "aws:kms" : "AES256"
      kms_master_key_id = local.use_kms ? var.kms_key_arn : null
    }
    bucket_key_enabled = local.use_kms
  }
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id

  versioning_configuration {
    status = var.versioning ? "Enabled" : "Suspended"
  }
}
