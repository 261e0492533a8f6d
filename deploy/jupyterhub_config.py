# JupyterHub for a class taking the course, on one Linux server (INSTRUCTORS.md, "A whole class on
# one server"). Start it as root from the clone: `sudo make hub` (or
# `.venv-instructor/bin/jupyterhub -f deploy/jupyterhub_config.py`).
#
# - Users log in with their Unix account (PAM). Members of the group cnn-students are students,
#   members of cnn-instructors instructors; nobody else gets in.
# - Every user's server runs as that user, from this clone's .venv-instructor (the course package,
#   JupyterLab, nbgrader). Students' servers read deploy/jupyter/student: no formgrader, no
#   create-assignment or course-list panels, only the Assignments panel. The instructor's read
#   deploy/jupyter/instructor: the formgrader on the course folder ~/cnn-course.
# - One nbgrader exchange for everyone (/srv/nbgrader/exchange), course id cnn-course.
# - Homes are made private (0700) before a server starts: students cannot read each other's work,
#   nor the instructor's course folder (solutions, gradebook).
#
# Each setting can be changed with an environment variable (the end-to-end test uses them to run
# on loopback, on free ports, in a temporary folder).
import grp
import os
import pwd
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV_BIN = Path(os.environ.get("CNN_HUB_VENV", HERE.parent / ".venv-instructor")) / "bin"

COURSE_ID = os.environ.get("CNN_COURSE_ID", "cnn-course")
EXCHANGE_DEFAULT = "/srv/nbgrader/exchange"
EXCHANGE = os.environ.get("CNN_COURSE_EXCHANGE", EXCHANGE_DEFAULT)
STUDENT_GROUP_DEFAULT, INSTRUCTOR_GROUP_DEFAULT = "cnn-students", "cnn-instructors"
STUDENT_GROUP = os.environ.get("CNN_HUB_STUDENT_GROUP", STUDENT_GROUP_DEFAULT)
INSTRUCTOR_GROUP = os.environ.get("CNN_HUB_INSTRUCTOR_GROUP", INSTRUCTOR_GROUP_DEFAULT)
COURSE_FOLDER = os.environ.get("CNN_COURSE_FOLDER", "~/cnn-course")  # in the instructor's home
STATE = Path(os.environ.get("CNN_HUB_STATE", "/srv/jupyterhub"))  # database, cookie secret
DEFAULT_URL = "/lab"
Z2JH_CONFIG = "/etc/cnn-course/jupyter"  # where z2jh-values.yaml mounts deploy/jupyter/ in the image


def role(username: str) -> str:
    """'instructor' or 'student', from the Unix groups; the hub lets nobody else in."""
    instructors = grp.getgrnam(INSTRUCTOR_GROUP)
    if username in instructors.gr_mem or pwd.getpwnam(username).pw_gid == instructors.gr_gid:
        return "instructor"
    return "student"


def prepare_exchange() -> None:
    """The exchange root: everyone may create (sticky, so nobody renames or deletes another's entry).

    The course's own folder is created for the first instructor beforehand, so no student can take
    the name cnn-course first and hand out a fake assignment.
    """
    root = Path(EXCHANGE)
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o1777)  # nbgrader insists on rwx for all on the root (release_assignment)
    course = root / COURSE_ID
    try:
        instructors = grp.getgrnam(INSTRUCTOR_GROUP).gr_mem
        grp.getgrnam(STUDENT_GROUP)
    except KeyError:
        raise SystemExit(f"the Unix groups {STUDENT_GROUP} and {INSTRUCTOR_GROUP} must exist: groupadd them, then add "
                         "the class to them (INSTRUCTORS.md)") from None
    if instructors and not course.exists():
        course.mkdir()
        owner = pwd.getpwnam(instructors[0])
        os.chown(course, owner.pw_uid, owner.pw_gid)
        os.chmod(course, 0o755)


def pre_spawn_hook(spawner) -> None:
    """Private home, and the role's nbgrader and Jupyter settings, before the user's server starts."""
    name = spawner.user.name
    user = pwd.getpwnam(name)
    home = Path(user.pw_dir)
    home.mkdir(parents=True, exist_ok=True)
    os.chown(home, user.pw_uid, user.pw_gid)
    os.chmod(home, 0o700)
    kind = role(name)
    spawner.environment.update({
        "JUPYTER_CONFIG_PATH": str(HERE / "jupyter" / kind),
        "CNN_COURSE_ID": COURSE_ID,
        "CNN_COURSE_EXCHANGE": EXCHANGE,
        "CNN_COURSE_FOLDER": COURSE_FOLDER,
        "PATH": f"{VENV_BIN}{os.pathsep}/usr/local/bin:/usr/bin:/bin",  # nbgrader runs alembic by name
    })


# --- JupyterHub ---
c = get_config()  # noqa: F821 (JupyterHub provides get_config)

c.JupyterHub.ip = os.environ.get("CNN_HUB_IP", "")
c.JupyterHub.port = int(os.environ.get("CNN_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("CNN_HUB_API_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('CNN_HUB_PROXY_API_PORT', '8001')}"
c.ConfigurableHTTPProxy.command = [str(HERE / "node_modules" / ".bin" / "configurable-http-proxy")]
STATE.mkdir(parents=True, exist_ok=True, mode=0o700)
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")

c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.allowed_groups = {STUDENT_GROUP, INSTRUCTOR_GROUP}

c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(VENV_BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = DEFAULT_URL
c.Spawner.notebook_dir = "~"
c.Spawner.pre_spawn_hook = pre_spawn_hook
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 60

if "jupyterhub" in Path(sys.argv[0]).name:  # not when a test reads the settings above
    prepare_exchange()
