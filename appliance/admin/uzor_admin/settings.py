"""Django settings for the Uzor admin, built from admin.yaml (see config.py)."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .config import ConfigError, config_path, load_config, read_secret
from .hosts import served_hosts
from .mysqldb import install_pymysql

install_pymysql()

BASE_DIR = Path(__file__).resolve().parent.parent

try:
    UZOR_CONFIG = load_config()
    SECRET_KEY = read_secret(UZOR_CONFIG.secret_key_file, "Django secret key")
    _DB_PASSWORD = read_secret(UZOR_CONFIG.database.password_file, "database password")
except ConfigError as exc:
    raise ImproperlyConfigured(str(exc)) from exc

UZOR_CONFIG_PATH = config_path()
DEBUG = UZOR_CONFIG.debug
ALLOWED_HOSTS = (
    served_hosts() if UZOR_CONFIG.allowed_hosts == ["auto"] else list(UZOR_CONFIG.allowed_hosts)
)
UZOR_PUBLIC_URL = UZOR_CONFIG.public_url
UZOR_BUNDLE_SIGNING_KEY = UZOR_CONFIG.bundle_signing_key
UZOR_SUPERVISOR_SIGNING_KEY = UZOR_CONFIG.supervisor_signing_key
UZOR_WALLBOARD_URL = UZOR_CONFIG.wallboard_url
UZOR_WORKPLACE_SIGNALLING_FROM = [str(n) for n in UZOR_CONFIG.workplace_signalling_from]
# Read by licensing.django_check.license_check (system check uzor.E001 / uzor.W001).
UZOR_LICENSE = {
    "path": str(UZOR_CONFIG.license.path),
    "public_keys": str(UZOR_CONFIG.license.public_keys),
    "required": UZOR_CONFIG.license.required,
}

INSTALLED_APPS = [
    "appliance.admin.uzor_admin.sites.UzorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "axes",
    "appliance.admin.callcenter.apps.CallcenterConfig",
]

MIDDLEWARE = [
    "appliance.admin.uzor_admin.access_log.AccessLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Admin login throttling (django-axes): 5 wrong passwords for one user name from one address
# lock that pair out for 15 minutes; nginx's limit_req slows any one address down before that.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "appliance.admin.uzor_admin.client_ip.client_address"
AXES_LOCKOUT_TEMPLATE = "admin/uzor_locked_out.html"
AXES_ENABLE_ADMIN = False  # unlock from the shell: uzor-admin axes_reset_username NAME
AXES_VERBOSE = False

ROOT_URLCONF = "appliance.admin.uzor_admin.urls"
WSGI_APPLICATION = "appliance.admin.uzor_admin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

_db = UZOR_CONFIG.database
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.mysql",
        "NAME": _db.name,
        "USER": _db.user,
        "PASSWORD": _DB_PASSWORD,
        "HOST": _db.socket or _db.host,
        "PORT": "" if _db.socket else str(_db.port),
        "CONN_MAX_AGE": 60,
        "OPTIONS": {"charset": "utf8mb4"},
        "TEST": {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Django's own users (the admin's staff). Operators' webagent passwords are written and checked
# in the format of appliance/contracts/passwords.py (the same PBKDF2), not through this list.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LOCALE_PATHS.append(BASE_DIR / "callcenter" / "dialplan" / "locale")  # Apply Dialplan
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "/static/"
STATIC_ROOT = UZOR_CONFIG.static_root
MEDIA_URL = "/media/"
MEDIA_ROOT = UZOR_CONFIG.media_root

# Behind nginx, which terminates TLS and sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = UZOR_CONFIG.secure_cookies
X_FRAME_OPTIONS = "DENY"
# nginx adds these two to every response of the appliance (packaging/debian/uzor-admin/usr/
# share/uzor/nginx-snippets/security-headers.conf); Django adding them too sent them twice
SECURE_CONTENT_TYPE_NOSNIFF = False
SECURE_REFERRER_POLICY = None
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "loggers": {
        "uzor.access": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "uzor": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "django": {"handlers": ["stderr"], "level": "WARNING"},
    },
}
