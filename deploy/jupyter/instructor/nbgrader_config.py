# nbgrader settings of the instructor's server on the class hub (deploy/jupyterhub_config.py puts this
# folder on JUPYTER_CONFIG_PATH). The course folder's own nbgrader_config.py, read after this file
# when nbgrader runs there, may override any of it.
import os
import sys

c = get_config()  # noqa: F821 (nbgrader provides get_config)
c.CourseDirectory.course_id = os.environ.get("CNN_COURSE_ID", "cnn-course")
c.Exchange.root = os.environ.get("CNN_COURSE_EXCHANGE", "/srv/nbgrader/exchange")
# The formgrader works on this folder (make student COURSE=... writes it).
c.CourseDirectory.root = os.path.expanduser(os.environ.get("CNN_COURSE_FOLDER", "~/cnn-course"))

# Late work: deploy/late_penalty.py (15 minutes' grace, then a tenth of the score per started day).
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from late_penalty import TenthPerDayLate  # noqa: E402

c.AssignLatePenalties.plugin_class = TenthPerDayLate
# A cell that runs past the timeout is interrupted and scores 0; the rest of the notebook is still graded.
c.Execute.interrupt_on_timeout = True
