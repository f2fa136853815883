package demo

// Password is the shared password of every demo account.
const Password = "cocreate-demo-2020"

// person is a demo account.
type person struct {
	Email, Name, Org, Sector, District string
	Roles                              []string
}

// committee are the coordinator (who also chairs) and three committee
// members: one from government, one from civil society, one from academia,
// enough for the call's three reviews a note.
var committee = []person{
	{"coordinator@demo.example", "Andrea Vasquez", "Open Government Unit, Ministry of the Public Service", "government", "belize", []string{"coordinator", "chair"}},
	{"kareem.tillett@demo.example", "Kareem Tillett", "Ministry of Economic Development", "government", "cayo", []string{"reviewer"}},
	{"nadine.palacio@demo.example", "Nadine Palacio", "Belize Civil Society Network", "civil_society", "stann_creek", []string{"reviewer"}},
	{"orlando.pech@demo.example", "Orlando Pech", "Galen University", "academia", "cayo", []string{"reviewer"}},
}

// participants write the demo notes; note samples name them by index.
var participants = []person{
	{"marisol.cal@demo.example", "Marisol Cal", "Toledo Maya Women's Network", "civil_society", "toledo", []string{"participant"}},
	{"jerome.gillett@demo.example", "Jerome Gillett", "Belize Youth Transparency Forum", "civil_society", "belize", []string{"participant"}},
	{"ana.ramirez@demo.example", "Ana Ramirez", "University of Belize, Faculty of Management and Social Sciences", "academia", "cayo", []string{"participant"}},
	{"kevin.young@demo.example", "Kevin Young", "Corozal Chamber of Commerce", "private_sector", "corozal", []string{"participant"}},
	{"shanice.arnold@demo.example", "Shanice Arnold", "Ministry of Finance, Budget Office", "government", "belize", []string{"participant"}},
	{"luis.sho@demo.example", "Luis Sho", "Stann Creek Environmental Alliance", "civil_society", "stann_creek", []string{"participant"}},
	{"dalia.flowers@demo.example", "Dalia Flowers", "Orange Walk Community Radio", "media", "orange_walk", []string{"participant"}},
	{"patrick.usher@demo.example", "Patrick Usher", "Individual", "individual", "cayo", []string{"participant"}},
}
