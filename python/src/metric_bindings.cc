// metric_bindings.cc: metric instruments for Python (coretel/metrics.py is the public API).
#include <pybind11/stl.h>

#include "instruments.h"
#include "module.h"
#include "python_values.h"

namespace coretel::python {

namespace py = pybind11;

namespace {

Instrument& make(const std::string& meter, const std::string& name, const std::string& unit,
                 const std::string& description, InstrumentType type) {
  try {
    return make_instrument(meter, name, unit, description, type);
  } catch (const std::invalid_argument& e) {
    throw py::value_error(e.what());
  }
}

InstrumentType sum_type(std::string_view value_type, InstrumentType as_int,
                        InstrumentType as_float) {
  if (value_type == "int") return as_int;
  if (value_type == "float") return as_float;
  throw py::value_error("value_type is \"int\" or \"float\"");
}

}  // namespace

void bind_metrics(py::module_& m) {
  py::class_<Series>(m, "Series")
      .def("add",
           [](Series& s, py::handle value) {
             try {
               if (py::isinstance<py::int_>(value) && !py::isinstance<py::bool_>(value))
                 s.add_int(value.cast<int64_t>());
               else if (py::isinstance<py::float_>(value))
                 s.add(value.cast<double>());
               else
                 throw py::type_error("a measurement is an int or a float");
             } catch (const std::invalid_argument& e) {
               throw py::value_error(e.what());
             }
           })
      .def("record", [](Series& s, py::handle value) {
        try {
          if ((py::isinstance<py::int_>(value) && !py::isinstance<py::bool_>(value)) ||
              py::isinstance<py::float_>(value))
            s.record(value.cast<double>());
          else
            throw py::type_error("a measurement is an int or a float");
        } catch (const std::invalid_argument& e) {
          throw py::value_error(e.what());
        }
      });
  py::class_<Instrument, std::unique_ptr<Instrument, py::nodelete>>(m, "Instrument")
      .def_property_readonly("name", &Instrument::name)
      .def("series", [](Instrument& i, py::handle attributes) {
        try {
          return i.series(Attributes(pairs_to_attributes(attributes)));
        } catch (const std::invalid_argument& e) {
          throw py::value_error(e.what());
        }
      });
  m.def(
      "counter",
      [](const std::string& meter, const std::string& name, const std::string& unit,
         const std::string& description, std::string_view value_type) {
        return &make(
            meter, name, unit, description,
            sum_type(value_type, InstrumentType::kCounterInt, InstrumentType::kCounterFloat));
      },
      py::return_value_policy::reference);
  m.def(
      "up_down_counter",
      [](const std::string& meter, const std::string& name, const std::string& unit,
         const std::string& description, std::string_view value_type) {
        return &make(
            meter, name, unit, description,
            sum_type(value_type, InstrumentType::kUpDownInt, InstrumentType::kUpDownFloat));
      },
      py::return_value_policy::reference);
  m.def(
      "histogram",
      [](const std::string& meter, const std::string& name, const std::string& unit,
         const std::string& description) {
        return &make(meter, name, unit, description, InstrumentType::kHistogram);
      },
      py::return_value_policy::reference);
}

}  // namespace coretel::python
