"""Programs, versioned topics with approval, cohorts, enrollment, attendance and progress."""
