"""ORM models, one module per aggregate. They know nothing of requests or routes."""
from webui.models.audit import AuditEvent
from webui.models.authorization import PendingAuthorization
from webui.models.datasource import DataSource
from webui.models.oauth import OAuthApplication, OAuthProfile
from webui.models.session import LoginSession
from webui.models.tenant import Tenant
from webui.models.user import PermissionDefinition, Role, User
from webui.models.webhook import WebhookDelivery, WebhookEndpoint

__all__ = ["AuditEvent", "DataSource", "LoginSession", "OAuthApplication", "OAuthProfile",
           "PendingAuthorization", "PermissionDefinition", "Role", "Tenant", "User",
           "WebhookDelivery", "WebhookEndpoint"]
