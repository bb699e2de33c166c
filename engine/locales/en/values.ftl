# The values a business rule compared (engine/terms.py), and the findings that name a value.

value-named = { $name } ({ $term }) = { $value }
value-plain = { $term } = { $value }
value-sum = { $name } ({ $term }), sum of { $count } = { $value }
values-read = Values read: { $values }
values-separator = {"; "}
codelist-value = The code "{ $value }" of { $field } is not in the list of { $list }
codelist-value-unnamed = The code "{ $value }" of { $field } is not in the list of codes allowed for this field
