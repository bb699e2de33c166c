# The language of the messages ([ui] language, --lang).

language-unknown = la langue { $value } n'est pas connue de facteur ; choisissez l'une de : { $choices }
