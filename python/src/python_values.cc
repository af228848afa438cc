#include "python_values.h"

#include <cstdint>

namespace coretel::python {

namespace py = pybind11;

AttributeValue to_attribute_value(py::handle value) {
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  if (py::isinstance<py::bool_>(value)) return value.cast<bool>();
  if (py::isinstance<py::int_>(value)) {
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(value.ptr(), &overflow);
    if (overflow == 0 && !(v == -1 && PyErr_Occurred())) return static_cast<int64_t>(v);
    PyErr_Clear();
    return py::str(value).cast<std::string>();
  }
  if (py::isinstance<py::float_>(value)) return value.cast<double>();
  return py::str(value).cast<std::string>();
}

std::vector<Attribute> to_attributes(py::handle mapping) {
  std::vector<Attribute> out;
  if (mapping.is_none()) return out;
  for (auto item : py::reinterpret_borrow<py::dict>(mapping)) {
    if (!py::isinstance<py::str>(item.first))
      throw py::type_error("an attribute key must be a str");
    out.push_back({item.first.cast<std::string>(), to_attribute_value(item.second)});
  }
  return out;
}

std::vector<Attribute> pairs_to_attributes(py::handle pairs) {
  std::vector<Attribute> out;
  for (py::handle item : pairs) {
    const auto pair = py::reinterpret_borrow<py::sequence>(item);
    if (pair.size() != 2 || !py::isinstance<py::str>(pair[0]))
      throw py::type_error("an attribute is a (str, value) pair");
    out.push_back({pair[0].cast<std::string>(), to_attribute_value(pair[1])});
  }
  return out;
}

py::object to_python(const AttributeValue& value) {
  return std::visit([](const auto& v) -> py::object { return py::cast(v); }, value);
}

py::dict to_python(const std::vector<Attribute>& attributes) {
  py::dict out;
  for (const Attribute& a : attributes) out[py::str(a.key)] = to_python(a.value);
  return out;
}

}  // namespace coretel::python
