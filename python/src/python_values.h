// python_values.h: Python values as coretel attribute values, and back.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <pybind11/pybind11.h>
#include <boost/container/small_vector.hpp>

#include "coretel/metrics/attributes.h"

namespace coretel::python {

/// Objects held while views into them are in use: any boost small_vector of objects (room
/// inline for a usual call, the heap beyond).
using KeptObjects = boost::container::small_vector_base<pybind11::object>;

/// A str's UTF-8, cached in the object: valid while `text` lives. U+FFFD for a str that has
/// none (a lone surrogate).
std::string_view utf8(pybind11::handle text);
/// The attribute value of a Python value, as a view: str, bool, int (within int64) and float
/// as they are; any other value (a list, None, an int beyond int64, an object) as its str(),
/// since attribute values here are scalars, or "<unprintable T>" when str() raises. `keep`
/// gets the objects the view reads; the view is valid while they and `value` live.
AttributeValueRef attribute_view(pybind11::handle value, KeptObjects& keep);
/// attribute_view(), owned.
AttributeValue to_attribute_value(pybind11::handle value);
/// A dict (or None) of attributes, in the dict's order; a key that is not a str is a TypeError.
std::vector<Attribute> to_attributes(pybind11::handle mapping);
/// The attributes of a sequence of (key, value) pairs (TypeError when an item is not a pair
/// with a str key).
std::vector<Attribute> pairs_to_attributes(pybind11::handle pairs);
pybind11::object to_python(const AttributeValue& value);
pybind11::dict to_python(const std::vector<Attribute>& attributes);

}  // namespace coretel::python
