package trustlysim

import (
	"strings"

	"github.com/google/uuid"
)

// The kyc notification (https://eu.developers.trustly.com/doc/reference/kyc-notification):
// for a Deposit made with Attributes.RequestKYC "1", Trustly sends it after the end user
// has logged in to the bank and before the deposit transfer starts, and waits for the
// merchant's signed answer: data.status CONTINUE allows the deposit, FINISH denies it.
// Its data is orderid, messageid, kycentityid, notificationid and attributes with the
// end user's personid (Sweden, Finland and Estonia only), firstname, lastname, dob,
// street, zipcode, city and country (a name, "Sweden").
//
// [I] What follows a denied deposit is not documented; the simulator ends the order as
// it ends every deposit that is not completed: a cancel notification. A kyc notification
// that gets no valid answer before the attempts run out denies the deposit as well.

// person is the end user as the simulated bank knows them.
type person struct {
	entityID, personID, firstName, lastName, dob, street, zipcode, city, country string
}

// countryNames are the names the kyc notification gives countries by.
var countryNames = map[string]string{
	"AT": "Austria", "CZ": "Czech Republic", "DE": "Germany", "DK": "Denmark", "EE": "Estonia", "ES": "Spain",
	"FI": "Finland", "GB": "United Kingdom", "LT": "Lithuania", "LV": "Latvia", "NL": "Netherlands", "NO": "Norway",
	"PL": "Poland", "SE": "Sweden",
}

// personIDCountries have national identity numbers that Trustly reports as personid.
var personIDCountries = map[string]bool{"SE": true, "FI": true, "EE": true}

// The simulated bank's address and date of birth for every end user.
const (
	bankDOB     = "1985-06-15"
	bankStreet  = "Simulated Street 1"
	bankZipcode = "11253"
	bankCity    = "Stockholm"
)

// bankPerson is what the simulated bank reports about a Deposit's end user: the names and
// country the Deposit gave, its NationalIdentificationNumber as personid (prefixed with the
// country, "SE196512171957") where the country has one, and a fixed address and date of
// birth. kycentityid is stable per merchant and end user.
func bankPerson(m *merchant, endUserID string, a map[string]any) person {
	country := strings.ToUpper(attr(a, "Country"))
	p := person{
		entityID:  uuid.NewSHA1(uuid.NameSpaceOID, []byte("trustlysim/kyc/"+m.username+"/"+endUserID)).String(),
		firstName: attr(a, "Firstname"), lastName: attr(a, "Lastname"),
		dob: bankDOB, street: bankStreet, zipcode: bankZipcode, city: bankCity, country: countryNames[country],
	}
	if p.country == "" {
		p.country = country
	}
	if nid := strings.NewReplacer("-", "", "+", "", " ", "").Replace(attr(a, "NationalIdentificationNumber")); nid != "" && personIDCountries[country] {
		p.personID = country + nid
	}
	return p
}

// kycData is the data of the kyc notification of o, besides orderid, messageid and
// notificationid.
func kycData(o *order) map[string]any {
	attrs := map[string]any{"firstname": o.person.firstName, "lastname": o.person.lastName, "dob": o.person.dob,
		"street": o.person.street, "zipcode": o.person.zipcode, "city": o.person.city, "country": o.person.country}
	if o.person.personID != "" {
		attrs["personid"] = o.person.personID
	}
	return map[string]any{"kycentityid": o.person.entityID, "attributes": attrs}
}

// identifyLocked starts the kyc check of a deposit whose end user chose action at the bank:
// the kyc notification goes out and the action takes effect when the merchant answers
// CONTINUE (see kycAnswered). It returns a channel closed once the answer was applied.
func (s *Server) identifyLocked(o *order, action string) <-chan struct{} {
	o.state, o.kycAction, o.kycWait = stateIdentifying, action, make(chan struct{})
	s.notifyLocked(o, "kyc", kycData(o))
	return o.kycWait
}

// kycAnswered applies the merchant's answer to the kyc notification of o: status is the
// data.status of its acknowledged reply, "" when none came. stopped reports that the
// Server closed before an answer came; the order is then left as it is.
func (s *Server) kycAnswered(o *order, status string, stopped bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o.state != stateIdentifying {
		return
	}
	defer close(o.kycWait)
	switch {
	case stopped:
	case status == "CONTINUE":
		s.depositActLocked(o, o.kycAction)
	default: // FINISH, or no valid answer
		o.state = stateCanceled
		s.notifyLocked(o, "cancel", map[string]any{})
	}
}

// leanKYCAttributes are the account notification's attributes that Lean KYC adds about the
// account holder: personid (only where the country has one), name, address, zipcode and
// city (https://eu.developers.trustly.com/doc/reference/account-notification).
func leanKYCAttributes(p person) map[string]any {
	a := map[string]any{"name": strings.TrimSpace(p.firstName + " " + p.lastName), "address": p.street,
		"zipcode": p.zipcode, "city": p.city}
	if p.personID != "" {
		a["personid"] = p.personID
	}
	return a
}
