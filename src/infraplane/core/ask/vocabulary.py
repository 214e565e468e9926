"""The small general vocabulary `ask` reads requests with; everything catalog-specific comes from the catalog.

Words here are surface forms (lowercase); the text module folds them to roots.
"""

from __future__ import annotations

__all__ = [
    "BOUNDARY_WORDS",
    "ENUM_SYNONYMS",
    "FILLER_WORDS",
    "HEAD_NOUNS",
    "INPUT_KEYWORDS",
    "KNOWN_TIERS",
    "NEGATIONS_AFTER",
    "NEGATIONS_BEFORE",
    "NUMBER_WORDS",
    "PHRASES",
    "QUALIFIERS",
    "SUBJECT_NOUNS",
    "SYNONYMS",
    "TIER_WORDS",
    "TIME_UNITS",
    "WEAK_TIER_WORDS",
]

KNOWN_TIERS = ("dev", "staging", "prod")

# Words that name a tier; "testing" and "qa" count as dev and staging, the tiers most catalogs know.
TIER_WORDS: dict[str, str] = {
    "dev": "dev",
    "development": "dev",
    "develop": "dev",
    "test": "dev",
    "testing": "dev",
    "sandbox": "dev",
    "nonprod": "dev",
    "staging": "staging",
    "stage": "staging",
    "stg": "staging",
    "preprod": "staging",
    "preproduction": "staging",
    "qa": "staging",
    "uat": "staging",
    "prod": "prod",
    "production": "prod",
    "prd": "prod",
    "live": "prod",
}

# Tier words that often mean something else ("a load-test queue", "can't live without"): used only alone.
WEAK_TIER_WORDS = frozenset({"test", "testing", "live", "sandbox"})

# Rewrites applied to the lowercased request before it is split into words (regex -> replacement).
PHRASES: tuple[tuple[str, str], ...] = (
    (r"\bnon[- ]?prod(uction)?\b", "nonprod"),
    (r"\bpre[- ]?prod(uction)?\b", "preprod"),
    (r"\bavailability[- ]zones?\b", "az"),
    (r"\bazs\b", "az"),
    (r"\bmulti[- ]?az\b", "high availability"),
    (r"\bhighly[- ]available\b", "high availability"),
    (r"\bha\b", "high availability"),
    (r"\bobject[- ]stor(age|e)\b", "bucket storage"),
    (r"\bkey[- ]value (store|cache)\b", "cache"),
    (r"\bin[- ]memory\b", "cache"),
    (r"\b(do not|don't|dont|doesn't|no need for|turn off|switch off)\b", "not"),
    (r"\b(\w+)n't\b", r"\1 not"),
    (r"\b(\w+)'(d|m|re|ll|ve)\b", r"\1"),
    (r"\b(turn on|switch on)\b", "enable"),
)

# Surface word -> the word it means here (applied to the request and to catalog text alike).
SYNONYMS: dict[str, str] = {
    "db": "database",
    "dbs": "database",
    "rdbms": "database",
    "sql": "database",
    "pg": "postgres",
    "postgresql": "postgres",
    "redis": "cache",
    "elasticache": "cache",
    "memcached": "cache",
    "caching": "cache",
    "sqs": "queue",
    "mq": "queue",
    "messaging": "message",
    "s3": "bucket",
    "blob": "bucket",
    "store": "storage",
    "vpc": "network",
    "networking": "network",
    "env": "environment",
    "envs": "environment",
    "app": "service",
    "application": "service",
    "microservice": "service",
    "svc": "service",
    "kept": "keep",
    "retain": "keep",
    "retained": "keep",
    "retention": "keep",
    "hold": "keep",
    "parameter": "config",
    "parameters": "config",
    "settings": "config",
    "configuration": "config",
}

# Extra words that point at an input whose name holds the key (matched on name parts).
INPUT_KEYWORDS: dict[str, tuple[str, ...]] = {
    "db": ("database", "postgres"),
    "az": ("zone",),
    "retention": ("keep", "message"),
    "visibility": ("timeout", "hidden", "invisible"),
    "fifo": ("ordered", "ordering"),
    "kms": ("key", "cmk"),
}

# Words that mean an allowed value of a string enum, when that value is allowed.
ENUM_SYNONYMS: dict[str, tuple[str, ...]] = {
    "small": ("tiny", "little", "smallest", "minimal", "micro"),
    "medium": ("mid", "moderate", "midsize", "midsized", "average"),
    "large": ("big", "huge", "largest", "bigger", "xl"),
}

NUMBER_WORDS: dict[str, int] = {
    "one": 1,
    "single": 1,
    "two": 2,
    "couple": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "dozen": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "sixty": 60,
    "ninety": 90,
}

# Time units in seconds; input names end in one of the plural forms (`retention_days`).
TIME_UNITS: dict[str, int] = {
    "second": 1,
    "sec": 1,
    "s": 1,
    "minute": 60,
    "min": 60,
    "m": 60,
    "hour": 3600,
    "hr": 3600,
    "h": 3600,
    "day": 86400,
    "d": 86400,
    "week": 604800,
    "w": 604800,
    "fortnight": 1209600,
    "month": 2592000,
}

NEGATIONS_BEFORE = frozenset({"no", "not", "without", "disable", "disabled", "non", "never", "skip", "nor"})
NEGATIONS_AFTER = frozenset({"off", "disabled", "false", "none"})

# Words that carry no meaning for choosing or filling: verbs of asking, articles, pronouns, politeness.
FILLER_WORDS = frozenset(
    {"a", "an", "the", "i", "me", "my", "we", "us", "our", "you", "it", "its", "this", "that", "these", "those"}
    | {"your", "their", "them", "they", "his", "her", "he", "she", "mine", "ours", "am", "not", "no", "wanting"}
    | {"need", "needs", "want", "wants", "would", "like", "please", "pls", "thanks", "could", "can", "should"}
    | {"give", "get", "make", "create", "spin", "set", "up", "provision", "deploy", "build", "bring", "start"}
    | {"new", "some", "another", "one", "just", "also", "too", "very", "really", "quick", "quickly"}
    | {"something", "anything", "stuff", "thing", "things", "somewhere", "place", "help", "hello", "hi"}
    | {"is", "are", "be", "been", "will", "do", "does", "have", "has", "let", "lets", "let's", "there"}
    | {"which", "who", "what", "so", "and", "or", "but", "if", "then", "than", "all", "any", "each", "every"}
    | {"in", "on", "at", "of", "to", "for", "with", "by", "from", "into", "across", "over", "per", "as", "about"}
    | {"called", "named", "using", "use", "used", "via", "behind", "within", "under", "around", "after"}
)

# Words that end a name phrase ("for the payments service IN staging", "for checkout WITH a ...").
BOUNDARY_WORDS = frozenset(
    {"in", "on", "at", "of", "to", "for", "with", "by", "from", "into", "across", "over", "per", "as", "and"}
    | {"or", "but", "that", "which", "who", "using", "use", "via", "please", "so", "then", "keeping", "keep"}
    | {"where", "when", "while", "without", "plus", "including", "named", "called", "is", "are", "should"}
    | {"environment", "stack", "tier", "cluster"}
)

# Words after which the rest of a clause qualifies the thing asked for ("a stack WITH a large database").
QUALIFIERS = frozenset(
    {"with", "for", "including", "plus", "having", "holding", "hold", "holds", "containing", "contains", "alongside"}
)

# Nouns after a name that mark it as the subject ("the payments service", "search-api app").
SUBJECT_NOUNS = frozenset(
    {"service", "svc", "app", "application", "api", "microservice", "system", "project", "product"}
)

# Nouns after a name that mark what it is for ("checkout stack", "billing environment").
HEAD_NOUNS = frozenset({"stack", "environment", "env", "setup", "infrastructure", "infra", "deployment"})
