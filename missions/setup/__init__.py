"""Mission setup by its coordinators: members, imports, teams, deployment, samples."""
