# bench/guardrails: one large, mostly clean configuration with a sprinkling of the mistakes the
# infraplane-baseline rules look for, so a real `terraform plan` of it has 600+ resource changes of
# the types the policies and the cost model read. Planned (never applied) against the sandbox cloud;
# the bench adds the sandbox provider override in a scratch copy, this file is never edited.
#
# `var.scale` multiplies every count (1 gives 663 changes).

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = "us-east-1"

  default_tags {
    tags = {
      owner       = "platform-team"
      environment = "bench"
      cost-center = "platform"
    }
  }
}

variable "scale" {
  type    = number
  default = 1
}

locals {
  n = {
    subnets        = 12 * var.scale
    security_group = 60 * var.scale
    ingress_rules  = 40 * var.scale
    buckets        = 60 * var.scale
    queues         = 60 * var.scale
    volumes        = 60 * var.scale
    instances      = 60 * var.scale
    databases      = 6 * var.scale
    caches         = 4 * var.scale
    iam_policies   = 12 * var.scale
    parameters     = 50 * var.scale
    secrets        = 10 * var.scale
    kms_keys       = 6 * var.scale
    topics         = 10 * var.scale
    nat_gateways   = 3 * var.scale
    load_balancers = 2 * var.scale
    policies       = 6 * var.scale
    apis           = 2 * var.scale
  }
  azs = ["us-east-1a", "us-east-1b", "us-east-1c"]
}

# ---------------------------------------------------------------- network

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "private" {
  count             = local.n.subnets
  vpc_id            = aws_vpc.main.id
  cidr_block        = cidrsubnet("10.0.0.0/16", 8, count.index)
  availability_zone = local.azs[count.index % 3]
}

# Every 10th group opens TCP 8080 to the internet (NET-001); the rest admit HTTPS from the VPC.
resource "aws_security_group" "app" {
  count       = local.n.security_group
  name        = "bench-app-${count.index}"
  description = "Application servers ${count.index}"
  vpc_id      = aws_vpc.main.id

  ingress {
    description = "App traffic"
    from_port   = count.index % 10 == 3 ? 8080 : 443
    to_port     = count.index % 10 == 3 ? 8080 : 443
    protocol    = "tcp"
    cidr_blocks = [count.index % 10 == 3 ? "0.0.0.0/0" : "10.0.0.0/16"]
  }

  egress {
    description = "HTTPS out"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

# Every 8th rule opens SSH to the internet (NET-002); the rest admit PostgreSQL from the VPC.
resource "aws_vpc_security_group_ingress_rule" "admin" {
  count             = local.n.ingress_rules
  security_group_id = aws_security_group.app[count.index].id
  description       = "Admin access ${count.index}"
  cidr_ipv4         = count.index % 8 == 5 ? "0.0.0.0/0" : "10.0.0.0/16"
  from_port         = count.index % 8 == 5 ? 22 : 5432
  to_port           = count.index % 8 == 5 ? 22 : 5432
  ip_protocol       = "tcp"
}

resource "aws_eip" "nat" {
  count  = local.n.nat_gateways
  domain = "vpc"
}

resource "aws_nat_gateway" "main" {
  count         = local.n.nat_gateways
  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = aws_subnet.private[count.index].id
}

resource "aws_lb" "web" {
  count              = local.n.load_balancers
  name               = "bench-web-${count.index}"
  load_balancer_type = "application"
  internal           = true
  subnets            = [aws_subnet.private[0].id, aws_subnet.private[1].id]
  security_groups    = [aws_security_group.app[0].id]
}

# ---------------------------------------------------------------- storage

resource "aws_s3_bucket" "data" {
  count  = local.n.buckets
  bucket = "bench-guardrails-data-${count.index}"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  count  = local.n.buckets
  bucket = aws_s3_bucket.data[count.index].id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

# Every 12th bucket turns its public access block off (STO-001).
resource "aws_s3_bucket_public_access_block" "data" {
  count  = local.n.buckets
  bucket = aws_s3_bucket.data[count.index].id

  block_public_acls       = count.index % 12 != 7
  block_public_policy     = count.index % 12 != 7
  ignore_public_acls      = count.index % 12 != 7
  restrict_public_buckets = count.index % 12 != 7
}

resource "aws_s3_bucket_versioning" "data" {
  count  = local.n.buckets
  bucket = aws_s3_bucket.data[count.index].id

  versioning_configuration {
    status = "Enabled"
  }
}

# Policy 0 lets anyone read (STO-002); the others let one account in.
resource "aws_s3_bucket_policy" "data" {
  count  = local.n.policies
  bucket = aws_s3_bucket.data[count.index].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "Read"
      Effect    = "Allow"
      Principal = { AWS = count.index == 0 ? "*" : "arn:aws:iam::123456789012:root" }
      Action    = "s3:GetObject"
      Resource  = "arn:aws:s3:::bench-guardrails-data-${count.index}/*"
    }]
  })
}

# Every 7th volume is unencrypted (ENC-001).
resource "aws_ebs_volume" "data" {
  count             = local.n.volumes
  availability_zone = local.azs[count.index % 3]
  size              = 20 + count.index
  type              = "gp3"
  encrypted         = count.index % 7 != 2
}

# ---------------------------------------------------------------- messaging

# Every 9th queue has server-side encryption switched off (ENC-001).
resource "aws_sqs_queue" "work" {
  count                   = local.n.queues
  name                    = "bench-work-${count.index}"
  sqs_managed_sse_enabled = count.index % 9 != 4
}

# Policy 1 lets anyone send (MSG-001); the others let one account in.
resource "aws_sqs_queue_policy" "work" {
  count     = local.n.policies
  queue_url = aws_sqs_queue.work[count.index].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "Send"
      Effect    = "Allow"
      Principal = { AWS = count.index == 1 ? "*" : "arn:aws:iam::123456789012:root" }
      Action    = "sqs:SendMessage"
      Resource  = "arn:aws:sqs:us-east-1:123456789012:bench-work-${count.index}"
    }]
  })
}

resource "aws_sns_topic" "events" {
  count             = local.n.topics
  name              = "bench-events-${count.index}"
  kms_master_key_id = "alias/aws/sns"
}

# ---------------------------------------------------------------- compute

# Mostly t3.micro; every 10th is an m5.4xlarge (GOV-002 outside prod, and the biggest cost item).
resource "aws_instance" "worker" {
  count         = local.n.instances
  ami           = "ami-12345678"
  instance_type = count.index % 10 == 6 ? "m5.4xlarge" : "t3.micro"
  subnet_id     = aws_subnet.private[count.index % local.n.subnets].id

  metadata_options {
    http_tokens = "required"
  }

  root_block_device {
    volume_size = 8
    volume_type = "gp3"
    encrypted   = true
  }

  tags = {
    Name = "bench-worker-${count.index}"
  }
}

# ---------------------------------------------------------------- databases

# db 1 is public (DB-001); every 3rd is a db.m5.large (GOV-002 outside prod). RDS keeps the passwords.
resource "aws_db_instance" "app" {
  count                       = local.n.databases
  identifier                  = "bench-db-${count.index}"
  engine                      = "postgres"
  engine_version              = "16.3"
  instance_class              = count.index % 3 == 0 ? "db.m5.large" : "db.t3.micro"
  allocated_storage           = 20
  storage_encrypted           = true
  username                    = "app"
  manage_master_user_password = true
  publicly_accessible         = count.index % 6 == 1
  multi_az                    = true
  backup_retention_period     = 7
  deletion_protection         = true
  skip_final_snapshot         = true
}

# A literal master password in the configuration (SEC-001).
resource "aws_db_instance" "legacy" {
  identifier              = "bench-db-legacy"
  engine                  = "postgres"
  engine_version          = "16.3"
  instance_class          = "db.t3.micro"
  allocated_storage       = 20
  storage_encrypted       = true
  username                = "app"
  password                = "SuperSecret123!"
  multi_az                = true
  backup_retention_period = 7
  deletion_protection     = true
  skip_final_snapshot     = true
}

# cache 0 does not encrypt in transit (ENC-002).
resource "aws_elasticache_replication_group" "cache" {
  count                      = local.n.caches
  replication_group_id       = "bench-cache-${count.index}"
  description                = "Bench cache ${count.index}"
  engine                     = "redis"
  engine_version             = "7.1"
  node_type                  = "cache.t3.micro"
  num_cache_clusters         = 2
  at_rest_encryption_enabled = true
  transit_encryption_enabled = count.index % 4 != 0
}

# ---------------------------------------------------------------- identity and secrets

# Every 6th policy allows everything (IAM-001).
resource "aws_iam_policy" "app" {
  count       = local.n.iam_policies
  name        = "bench-app-${count.index}"
  description = "Permissions of app ${count.index}"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "App"
      Effect   = "Allow"
      Action   = count.index % 6 == 5 ? "*" : "sqs:SendMessage"
      Resource = count.index % 6 == 5 ? "*" : "arn:aws:sqs:us-east-1:123456789012:bench-work-${count.index}"
    }]
  })
}

# Every 10th parameter is a plain String holding an access key id (SEC-002).
resource "aws_ssm_parameter" "config" {
  count = local.n.parameters
  name  = "/bench/app-${count.index}/setting"
  type  = "String"
  value = count.index % 10 == 8 ? "AKIAIOSFODNN7EXAMPLE" : "feature-flag-${count.index}"
}

resource "aws_kms_key" "data" {
  count                   = local.n.kms_keys
  description             = "Bench data key ${count.index}"
  enable_key_rotation     = true
  deletion_window_in_days = 7
}

resource "aws_secretsmanager_secret" "app" {
  count      = local.n.secrets
  name       = "bench/app-${count.index}"
  kms_key_id = aws_kms_key.data[count.index % local.n.kms_keys].arn
}

# ---------------------------------------------------------------- APIs

# Every API has a stage; only even-numbered ones throttle it with method settings (API-001 warns on the rest).
resource "aws_api_gateway_rest_api" "api" {
  count = local.n.apis
  name  = "bench-api-${count.index}"
}

resource "aws_api_gateway_method" "root_get" {
  count         = local.n.apis
  rest_api_id   = aws_api_gateway_rest_api.api[count.index].id
  resource_id   = aws_api_gateway_rest_api.api[count.index].root_resource_id
  http_method   = "GET"
  authorization = "AWS_IAM"
}

resource "aws_api_gateway_integration" "root_get" {
  count       = local.n.apis
  rest_api_id = aws_api_gateway_rest_api.api[count.index].id
  resource_id = aws_api_gateway_rest_api.api[count.index].root_resource_id
  http_method = aws_api_gateway_method.root_get[count.index].http_method
  type        = "MOCK"
}

resource "aws_api_gateway_deployment" "api" {
  count       = local.n.apis
  rest_api_id = aws_api_gateway_rest_api.api[count.index].id
  depends_on  = [aws_api_gateway_integration.root_get]
}

resource "aws_api_gateway_stage" "v1" {
  count         = local.n.apis
  rest_api_id   = aws_api_gateway_rest_api.api[count.index].id
  deployment_id = aws_api_gateway_deployment.api[count.index].id
  stage_name    = "v1"
}

resource "aws_api_gateway_method_settings" "v1" {
  count       = local.n.apis / 2
  rest_api_id = aws_api_gateway_rest_api.api[count.index * 2].id
  stage_name  = aws_api_gateway_stage.v1[count.index * 2].stage_name
  method_path = "*/*"

  settings {
    throttling_rate_limit  = 100
    throttling_burst_limit = 50
  }
}
