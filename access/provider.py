"""allauth registers the social sign-in providers it finds in each installed app's `provider` module: this
is how the desk's OpenID Connect provider (access/single_sign_on/) takes the place of allauth's own."""

from access.single_sign_on.provider import DeskOpenIDConnectProvider

provider_classes = [DeskOpenIDConnectProvider]
