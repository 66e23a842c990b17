"""The REST API (Django REST Framework, drf-spectacular, API tokens) and outgoing webhooks."""

from .environment import env, networks_checked

# --- Outgoing webhooks (api/webhook_*.py; docs/webhooks.md) ------------------------------
# Receivers on loopback, private, link-local, shared or reserved addresses are refused unless their
# address lies in one of these networks (CIDRs, comma-separated), e.g. "10.20.0.0/16,fd00:1::/64".
DESK_WEBHOOK_ALLOWED_NETWORKS = networks_checked(
    "DESK_WEBHOOK_ALLOWED_NETWORKS", env.list("DESK_WEBHOOK_ALLOWED_NETWORKS", default=[])
)
# One delivery's whole exchange (connect, TLS, request, the answer's status and headers) is cut after this.
DESK_WEBHOOK_DEADLINE_SECONDS = env.float("DESK_WEBHOOK_DEADLINE_SECONDS", default=10.0)
# A delivery task sends one subscription's backlog for this long, then queues itself again behind the others.
DESK_WEBHOOK_RUN_SECONDS = env.int("DESK_WEBHOOK_RUN_SECONDS", default=30)
# A failed delivery is tried again after 30 s, 1, 2, 4... minutes, at most this far apart (also the
# interval at which a paused subscription is probed).
DESK_WEBHOOK_RETRY_MAX_SECONDS = env.int("DESK_WEBHOOK_RETRY_MAX_SECONDS", default=3600)
# A subscription whose every attempt has failed for this long is paused and the admins e-mailed.
DESK_WEBHOOK_PAUSE_AFTER_HOURS = env.float("DESK_WEBHOOK_PAUSE_AFTER_HOURS", default=24)
# The Celery queue deliveries run on; a worker must consume it (Procfile: the "webhooks" process).
DESK_WEBHOOK_QUEUE = env.str("DESK_WEBHOOK_QUEUE", default="webhooks")
# CA certificates for receivers' TLS (a PEM file): an internal CA for allow-listed private receivers.
# Empty: the public CAs of the certifi package, as for every other outgoing request.
DESK_WEBHOOK_CA_BUNDLE = env.str("DESK_WEBHOOK_CA_BUNDLE", default="")

# --- REST API ----------------------------------------------------------------------------
# The REST API (api/): personal access tokens or a signed-in browser. DESK_API_RATE requests per user,
# across all their tokens and their browser session; at most DESK_API_TOKENS_PER_USER live (unrevoked,
# unexpired) tokens per user.
DESK_API_RATE = env.str("DESK_API_RATE", default="600/min")
DESK_API_TOKENS_PER_USER = env.int("DESK_API_TOKENS_PER_USER", default=10)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "api.auth.TwoFactorDone",
        "api.auth.TokenScope",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["api.auth.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Triage Desk API",
    "DESCRIPTION": "Tickets, their actions, views, channels' health and KPI figures. Authenticate with a "
    "personal access token: `Authorization: Bearer tdk_…` (made on the desk's API tokens page).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI from the vendored sidecar package, its start-up script a file: the CSP allows both.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # The enums as components (drf-spectacular's default), then allowEmptyValue and Retry-After (api/schema.py).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.api_schema_finish"],
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "mentions.models.Ticket.Status",
        "ReplyStatusEnum": ["open", "pending", "solved"],
        "EventKindEnum": "mentions.models.TicketEvent.Kind",
        "MessageKindEnum": "mentions.models.Message.Kind",
    },
}
