package framework

// DefaultDatasourceName is the datasource DATABASE_URL overrides: DefaultDatasource, or "db".
func (c Config) DefaultDatasourceName() string { return c.defaultDS() }
