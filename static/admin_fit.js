// On a laptop screen the navigation sidebar takes a quarter of the width the change lists need: it starts
// folded there until the admin opens it with « (Django's admin remembers that choice in localStorage).
(function () {
  var key = "django.admin.navSidebarIsOpen";
  try {
    if (localStorage.getItem(key) === null && window.innerWidth < 1600) {
      localStorage.setItem(key, "false");
    }
  } catch (e) {
    // Storage refused (private mode): the sidebar keeps Django's default.
  }
})();
