# The language of the messages ([ui] language, --lang).

language-unknown = facteur does not know the language { $value }; choose one of: { $choices }
