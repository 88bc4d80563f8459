"""Units (province > commune), titles (chức danh), target groups and cadre profiles."""
