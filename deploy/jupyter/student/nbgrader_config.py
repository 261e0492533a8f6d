# nbgrader settings of every student's server on the class hub (deploy/jupyterhub_config.py puts this
# folder on JUPYTER_CONFIG_PATH and sets the two variables). The Assignments panel reads them.
import os

c = get_config()  # noqa: F821 (nbgrader provides get_config)
c.CourseDirectory.course_id = os.environ.get("CNN_COURSE_ID", "cnn-course")
c.Exchange.root = os.environ.get("CNN_COURSE_EXCHANGE", "/srv/nbgrader/exchange")
