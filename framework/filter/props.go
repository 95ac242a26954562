package filter

import "github.com/loopgo/loopgo/framework/schema"

// lookupProperty returns the declared property name of m. A model without any id property still
// answers "id" with LoopBack's injected default (a generated number), so `id` is always usable.
func lookupProperty(m *schema.Model, name string) *schema.Property {
	if p := m.Property(name); p != nil {
		return p
	}
	if name == "id" && m.IDProperty() == nil {
		return &schema.Property{Name: "id", Type: schema.Number, ID: true, Generated: true}
	}
	return nil
}

// visibleProperty returns the property name of m when it exists and is not hidden.
func visibleProperty(m *schema.Model, name string) *schema.Property {
	if m.IsHidden(name) {
		return nil
	}
	return lookupProperty(m, name)
}

// propertyNames lists m's property names in declaration order, plus the default "id" when m
// declares no id property.
func propertyNames(m *schema.Model) []string {
	names := make([]string, 0, len(m.Properties)+1)
	if m.IDProperty() == nil && m.Property("id") == nil {
		names = append(names, "id")
	}
	for _, p := range m.Properties {
		names = append(names, p.Name)
	}
	return names
}
