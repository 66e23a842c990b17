"""The story pages (stories.views.pages) and what their forms post (stories.views.actions): thin, the services
hold the logic."""
