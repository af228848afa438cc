// instance_of.h: the C++ object inside a pybind11 instance, and a new instance of a C++ value,
// for the per-span and per-record paths. `object.cast<T&>()` looks T up by its type_index on every
// call (a hash of the mangled name, in two maps); this keeps T's pybind11 type_info from the first
// call and reads the value pointer of an instance of exactly that Python type, falling back to the
// cast otherwise (a subclass, an instance not yet initialised: the cast raises as usual).
//
// Uses pybind11's detail API (type_info, instance::get_value_and_holder), stable through the 2.x
// series. Call with the GIL held, after the module registered T.
#pragma once

#include <memory>
#include <typeinfo>

#include <pybind11/pybind11.h>

namespace coretel::python {

namespace detail {
template <class T>
const pybind11::detail::type_info* type_info_of() {
  static const pybind11::detail::type_info* const info =
      pybind11::detail::get_type_info(typeid(T), true);
  return info;
}
}  // namespace detail

template <class T>
T& instance_of(pybind11::handle object) {
  namespace detail = pybind11::detail;
  const detail::type_info* const info = coretel::python::detail::type_info_of<T>();
  if (Py_TYPE(object.ptr()) == info->type) {
    auto* instance = reinterpret_cast<detail::instance*>(object.ptr());
    const detail::value_and_holder value = instance->get_value_and_holder(info, false);
    if (value.inst != nullptr && value.value_ptr() != nullptr)
      return *static_cast<T*>(value.value_ptr());
  }
  return object.cast<T&>();
}

/// A new Python instance of T's registered type that owns `owned` (T's holder is the default
/// std::unique_ptr), without py::cast's type lookup.
template <class T>
pybind11::object adopt_instance(std::unique_ptr<T> owned) {
  namespace detail = pybind11::detail;
  pybind11::handle made = detail::type_caster_generic::cast(
      owned.get(), pybind11::return_value_policy::take_ownership, pybind11::handle(),
      coretel::python::detail::type_info_of<T>(), nullptr, nullptr);
  if (!made) throw pybind11::error_already_set();
  owned.release();  // the instance owns it
  return pybind11::reinterpret_steal<pybind11::object>(made);
}

/// A new Python instance of T's registered type owning a copy of `value` (py::cast(value)
/// without its type lookup).
template <class T>
pybind11::object new_instance(const T& value) {
  return adopt_instance(std::make_unique<T>(value));
}

}  // namespace coretel::python
