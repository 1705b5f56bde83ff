"""What the Django token services here share: the settings every one of them needs
(`settings`, star-imported as a Django project's base settings are) and one routing helper
(`routes`). Each service adds only its package's documented apps, settings and URLs."""
