# The values a business rule compared (engine/terms.py), and the findings that name a value.

value-named = { $name } ({ $term }) = { $value }
value-plain = { $term } = { $value }
value-sum = { $name } ({ $term }), somme de { $count } = { $value }
values-read = Valeurs lues : { $values }
values-separator = {" ; "}
codelist-value = Le code « { $value } » de { $field } n'est pas dans la liste des { $list }
codelist-value-unnamed = Le code « { $value } » de { $field } n'est pas dans la liste des codes autorisés pour ce champ
