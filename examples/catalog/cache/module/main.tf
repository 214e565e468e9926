locals {
  # Replication group IDs: lowercase letters, digits and hyphens, at most 40 characters.
  name = trim(substr(lower(replace("${var.context.environment}-${var.context.component}", "/[^a-zA-Z0-9-]/", "-")), 0, 40), "-")
  port = 6379

  node_type = {
    small  = "cache.t3.micro"
    medium = "cache.t3.medium"
    large  = "cache.m5.large"
  }[var.size]
}

resource "aws_security_group" "this" {
  name        = "${local.name}-cache"
  description = "Redis access for ${local.name}"
  vpc_id      = var.vpc_id

  tags = { Name = "${local.name}-cache" }
}

resource "aws_vpc_security_group_ingress_rule" "redis" {
  for_each = toset(var.allowed_cidrs)

  security_group_id = aws_security_group.this.id
  description       = "Redis from ${each.value}"
  ip_protocol       = "tcp"
  from_port         = local.port
  to_port           = local.port
  cidr_ipv4         = each.value
}

resource "aws_elasticache_subnet_group" "this" {
  name       = "${local.name}-cache"
  subnet_ids = var.subnet_ids
}

resource "aws_elasticache_replication_group" "this" {
  replication_group_id = local.name
  description          = "Redis for ${local.name}"
  engine               = "redis"
  engine_version       = "7.1"
  node_type            = local.node_type
  port                 = local.port

  num_cache_clusters         = 1
  automatic_failover_enabled = false
  multi_az_enabled           = false

  subnet_group_name  = aws_elasticache_subnet_group.this.name
  security_group_ids = [aws_security_group.this.id]

  at_rest_encryption_enabled = true
  transit_encryption_enabled = true
}
