"""Import every area's models and permission rules, so the metadata and rules are complete.

Pages, navigation, dashboard panels, commands, reminders, demo loaders and catalogues are not
registered here but by each area's init_app (see create_app)."""

from .agreements import models as agreements_models  # noqa: F401
from .agreements import permissions as agreements_permissions  # noqa: F401
from .auth import models as auth_models  # noqa: F401
from .auth import permissions as auth_permissions  # noqa: F401
from .auth import tokens as auth_tokens  # noqa: F401
from .bodies import agenda_models as bodies_agenda_models  # noqa: F401
from .bodies import minutes_models as bodies_minutes_models  # noqa: F401
from .bodies import models as bodies_models  # noqa: F401
from .bodies import permissions as bodies_permissions  # noqa: F401
from .catalogue import models as catalogue_models  # noqa: F401
from .catalogue import permissions as catalogue_permissions  # noqa: F401
from .core import audit, mail, numbering, prepared  # noqa: F401
from .directory import models as directory_models  # noqa: F401
from .directory import permissions as directory_permissions  # noqa: F401
