"""Import every area's models and permission rules, so the metadata and rules are complete."""

from .agreements import cli as agreements_cli  # noqa: F401
from .agreements import dashboard as agreements_dashboard  # noqa: F401
from .agreements import demo as agreements_demo  # noqa: F401
from .agreements import models as agreements_models  # noqa: F401
from .agreements import permissions as agreements_permissions  # noqa: F401
from .auth import models as auth_models  # noqa: F401
from .auth import permissions as auth_permissions  # noqa: F401
from .bodies import agenda_models as bodies_agenda_models  # noqa: F401
from .bodies import dashboard as bodies_dashboard  # noqa: F401
from .bodies import demo as bodies_demo  # noqa: F401
from .bodies import minutes_models as bodies_minutes_models  # noqa: F401
from .bodies import models as bodies_models  # noqa: F401
from .bodies import permissions as bodies_permissions  # noqa: F401
from .bodies import reminders as bodies_reminders  # noqa: F401
from .catalogue import hooks as catalogue_hooks  # noqa: F401
from .catalogue import models as catalogue_models  # noqa: F401
from .catalogue import permissions as catalogue_permissions  # noqa: F401
from .core import audit, mail, numbering  # noqa: F401
from .directory import dashboard as directory_dashboard  # noqa: F401
from .directory import models as directory_models  # noqa: F401
from .directory import permissions as directory_permissions  # noqa: F401
from .links import demo as links_demo  # noqa: F401
