#include "python_values.h"

#include <cstdint>

namespace coretel::python {

namespace py = pybind11;

std::string_view utf8(py::handle text) {
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(text.ptr(), &size);
  if (data == nullptr) {
    PyErr_Clear();
    return "\xEF\xBF\xBD";
  }
  return {data, static_cast<std::size_t>(size)};
}

AttributeValueRef attribute_view(py::handle value, KeptObjects& keep) {
  if (PyUnicode_Check(value.ptr())) return utf8(value);
  if (PyBool_Check(value.ptr())) return value.ptr() == Py_True;
  if (PyLong_Check(value.ptr())) {
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(value.ptr(), &overflow);
    if (overflow == 0 && !(v == -1 && PyErr_Occurred())) return static_cast<int64_t>(v);
    PyErr_Clear();
  } else if (PyFloat_Check(value.ptr())) {
    return PyFloat_AS_DOUBLE(value.ptr());
  }
  PyObject* text = PyObject_Str(value.ptr());
  if (text == nullptr) {
    PyErr_Clear();
    const std::string type_name = py::str(py::type::handle_of(value).attr("__qualname__"));
    text = PyUnicode_FromString(("<unprintable " + type_name + ">").c_str());
    if (text == nullptr) throw py::error_already_set();
  }
  keep.push_back(py::reinterpret_steal<py::object>(text));
  return utf8(keep.back());
}

AttributeValue to_attribute_value(py::handle value) {
  boost::container::small_vector<py::object, 1> keep;
  return attribute_view(value, keep).to_value();
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
