"""Unbound extension objects; create_app binds them. Imports no app and no models."""

from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy

from .db import Base

db = SQLAlchemy(metadata=Base.metadata, session_options={"expire_on_commit": False})
login_manager = LoginManager()
