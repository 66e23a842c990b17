"""Single sign-on through the company's identity provider over OpenID Connect: allauth's provider with the
ID token always verified (id_token.py, provider.py, views.py, urls.py), and the desk's rules for the people
it signs in (adapter.py, roles.py). allauth finds the provider through access/provider.py."""
